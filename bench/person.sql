-- The same data as person.graphql, by plain SQL, for a random seeded person.
\set pid random(1, :persons)
BEGIN;
SELECT * FROM person WHERE id = :pid;
SELECT * FROM contact WHERE person_id = :pid;
SELECT e.*, o.org_no, o.name, pa.code, pa.name FROM enrolment e JOIN organisation o ON o.id = e.school_id JOIN programme_area pa ON pa.id = e.programme_area_id WHERE e.person_id = :pid;
SELECT * FROM subject_result WHERE person_id = :pid;
SELECT * FROM application WHERE person_id = :pid;
SELECT w.*, pa.code, o.org_no FROM application_wish w JOIN programme_area pa ON pa.id = w.programme_area_id LEFT JOIN organisation o ON o.id = w.school_id WHERE w.application_id IN (SELECT id FROM application WHERE person_id = :pid);
SELECT * FROM offer WHERE wish_id IN (SELECT w.id FROM application_wish w JOIN application a ON a.id = w.application_id WHERE a.person_id = :pid);
SELECT * FROM application_change WHERE application_id IN (SELECT id FROM application WHERE person_id = :pid);
SELECT c.*, o.org_no, o.name, pa.code FROM apprenticeship_contract c JOIN organisation o ON o.id = c.company_id JOIN programme_area pa ON pa.id = c.programme_area_id WHERE c.person_id = :pid;
SELECT t.*, pa.code FROM trade_test t JOIN programme_area pa ON pa.id = t.programme_area_id WHERE t.person_id = :pid;
SELECT * FROM education_right WHERE person_id = :pid;
SELECT * FROM follow_up_status WHERE person_id = :pid;
SELECT * FROM diploma WHERE person_id = :pid;
SELECT * FROM loan_customer WHERE person_id = :pid;
SELECT * FROM automated_decision WHERE person_id = :pid;
COMMIT;
