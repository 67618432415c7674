-- The same data as page.graphql, by plain SQL: the page, then its enrolments (with school
-- and programme area) and results.
BEGIN;
SELECT id, national_id, given_name, family_name, birth_date FROM person ORDER BY id LIMIT 101;
SELECT e.person_id, o.org_no, o.name, pa.code, e.school_year, e.status, e.course_percentage
  FROM enrolment e JOIN organisation o ON o.id = e.school_id JOIN programme_area pa ON pa.id = e.programme_area_id
  WHERE e.person_id IN (SELECT id FROM person ORDER BY id LIMIT 100);
SELECT person_id, subject_code, grade, kind, school_year FROM subject_result
  WHERE person_id IN (SELECT id FROM person ORDER BY id LIMIT 100);
COMMIT;
