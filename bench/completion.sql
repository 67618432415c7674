-- SSB's completion table computed by DuckDB from Parquet dumps of Vigo's tables, as
-- `vigo extract completion` computes it (before suppression): first Vg1 year and programme
-- type per person, followed to 1 October five (general) or six (vocational) years on.
-- $TODAY is replaced by the reference date.
WITH e AS (
    SELECT e.person_id, e.school_year, e.status, a.level, a.vocational
    FROM 'enrolment.parquet' e JOIN 'programme_area.parquet' a ON a.id = e.programme_area_id
),
vg1 AS (SELECT person_id, school_year, vocational FROM e WHERE level = 'vg1'),
first AS (
    -- The earliest Vg1 year; general studies when both began that year.
    SELECT v.person_id, v.school_year AS cohort, bool_and(v.vocational) AS vocational
    FROM vg1 v
    JOIN (SELECT person_id, min(school_year) AS cohort FROM vg1 GROUP BY person_id) m
      ON m.person_id = v.person_id AND m.cohort = v.school_year
    GROUP BY v.person_id, v.school_year
),
followed AS (
    SELECT f.*,
           make_date(cohort + CASE WHEN vocational THEN 4 ELSE 3 END, 10, 1) AS normal_end,
           make_date(cohort + CASE WHEN vocational THEN 6 ELSE 5 END, 10, 1) AS follow_end,
           cohort + CASE WHEN vocational THEN 6 ELSE 5 END AS last_year
    FROM first f
),
done AS (
    SELECT person_id, min(issued_on) AS completed_on FROM 'diploma.parquet'
    WHERE kind IN ('diploma', 'trade_certificate', 'journeyman_certificate') GROUP BY person_id
),
outcomes AS (
    SELECT f.cohort, f.vocational, p.gender,
        CASE
            WHEN d.completed_on <= f.normal_end THEN 'normal_time'
            WHEN d.completed_on <= f.follow_end THEN 'more_time'
            WHEN EXISTS (SELECT 1 FROM e WHERE e.person_id = f.person_id AND e.school_year = f.last_year AND e.status = 'active')
              OR EXISTS (SELECT 1 FROM 'apprenticeship_contract.parquet' c WHERE c.person_id = f.person_id
                         AND c.status = 'approved' AND c.start_date <= f.follow_end AND c.end_date >= f.follow_end)
                THEN 'still_enrolled'
            WHEN EXISTS (SELECT 1 FROM e WHERE e.person_id = f.person_id AND e.level = 'vg3' AND e.status = 'completed' AND e.school_year < f.last_year)
              OR EXISTS (SELECT 1 FROM 'apprenticeship_contract.parquet' c WHERE c.person_id = f.person_id
                         AND c.status = 'completed' AND c.end_date <= f.follow_end)
                THEN 'vg3_not_passed'
            ELSE 'dropped_out'
        END AS outcome
    FROM followed f
    JOIN 'person.parquet' p ON p.id = f.person_id
    LEFT JOIN done d ON d.person_id = f.person_id
    WHERE f.follow_end <= DATE '$TODAY'
)
SELECT cohort, CASE WHEN vocational THEN 'vocational' ELSE 'general' END AS programme_type,
       gender, outcome, count(*) AS n
FROM outcomes GROUP BY ALL ORDER BY ALL;
