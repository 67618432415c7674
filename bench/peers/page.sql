-- The 100-person page of page.*.graphql, with the count of all persons, as one statement
-- building the same JSON.
SELECT json_build_object('totalCount', (SELECT count(*) FROM person), 'nodes', json_agg(p ORDER BY p.id)) FROM (
  SELECT p.id, p.national_id, p.given_name, p.family_name, p.birth_date,
    (SELECT row_to_json(c) FROM (SELECT address, postal_code, city, phone FROM contact WHERE person_id = p.id) c) AS contact,
    (SELECT coalesce(json_agg(e ORDER BY e.id), '[]') FROM (
      SELECT e.id, json_build_object('orgNo', o.org_no, 'name', o.name) AS school,
             json_build_object('code', pa.code, 'name', pa.name) AS programme_area, e.school_year, e.status
        FROM enrolment e JOIN organisation o ON o.id = e.school_id JOIN programme_area pa ON pa.id = e.programme_area_id
       WHERE e.person_id = p.id) e) AS enrolments,
    (SELECT coalesce(json_agg(r ORDER BY r.id), '[]') FROM (
      SELECT id, subject_code, grade, kind, school_year FROM subject_result WHERE person_id = p.id) r) AS results
  FROM person p ORDER BY p.id LIMIT 100) p;
