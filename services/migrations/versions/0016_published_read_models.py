"""Published read models: SQL views in which the volunteer plan, the whistle and the one-stop
process publish the figures other processes may read (the assessment reads them by name, never
their tables). Each view is its owning process's contract (services/<p>/published.md). Views
are not models: the models-vs-migrations comparison does not see them.

The two JSON look-ups (the unit a plan names as host, the types a member claimed) are written
per dialect; the views' columns and meaning are the same on SQLite and PostgreSQL.

Revision ID: 0016
Revises: 0015
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# dialect → (the activity a plan's `hosts` names for unit u; "a's type is one m claimed")
JSON_LOOKUPS = {
    "sqlite": ("""json_extract(p.hosts, '$."' || u.code || '"')""",
               "EXISTS (SELECT 1 FROM json_each(m.claimed) AS t WHERE t.value = a.project_type)"),
    "postgresql": ("(p.hosts ->> u.code)",
                   "EXISTS (SELECT 1 FROM json_array_elements_text(m.claimed) AS t(value) "
                   "WHERE t.value = a.project_type)"),
}


def views(dialect: str) -> dict[str, str]:
    host_of_unit, claimed = JSON_LOOKUPS[dialect]
    return {
        # QL-11a: per published month and unit, 1 when the activity the plan made it host, in
        # its paired community, was signed in with at least one of the unit's own members.
        "published_volunteering_units": f"""
SELECT p.month AS month, u.code AS unit, u.community AS community,
       CASE WHEN EXISTS (
           SELECT 1 FROM volunteer_assignments a
           JOIN volunteer_members m ON m.code = a.member_code
           WHERE a.plan_id = p.id AND a.status = 'planned' AND a.attended = TRUE
             AND a.community = u.community AND m.unit_code = u.code
             AND a.activity_code = {host_of_unit})
       THEN 1 ELSE 0 END AS held
FROM volunteer_plans p CROSS JOIN volunteer_units u
WHERE p.status = 'published'""",
        # QL-11b: per published month and member, 1 when the member attended at least one
        # activity of a type the member claimed; `community` is the member's home community.
        "published_volunteering_members": f"""
SELECT p.month AS month, m.code AS member, m.unit_code AS unit, m.home AS community,
       CASE WHEN EXISTS (
           SELECT 1 FROM volunteer_assignments a
           WHERE a.plan_id = p.id AND a.member_code = m.code AND a.status = 'planned'
             AND a.attended = TRUE AND {claimed})
       THEN 1 ELSE 0 END AS served
FROM volunteer_plans p CROSS JOIN volunteer_members m
WHERE p.status = 'published'""",
        # Activities held (at least one member signed in) per published month and community.
        "published_volunteering_activities": """
SELECT p.month AS month, a.activity_code AS activity, a.community AS community,
       a.project_type AS project_type, COUNT(*) AS attended
FROM volunteer_plans p JOIN volunteer_assignments a ON a.plan_id = p.id
WHERE p.status = 'published' AND a.status = 'planned' AND a.attended = TRUE
GROUP BY p.month, a.activity_code, a.community, a.project_type""",
        # 吹哨率's numerator: every whistle, the case (issue) it was blown on and where.
        "published_whistles": """
SELECT w.id AS whistle, w.case_id AS case_id, w.org_unit AS org_unit, w.kind AS kind,
       w.level AS level, w.opened_at AS opened_at
FROM whistles w""",
        # HC-03 好差评: every rating of a one-stop application; satisfied = 满意 or better (≥ 4).
        "published_one_stop_ratings": """
SELECT r.case_id AS case_id, c.station_code AS station_code, c.accepted_on AS accepted_on,
       r.grade AS grade, CASE WHEN r.grade >= 4 THEN 1 ELSE 0 END AS satisfied
FROM ratings r JOIN cases c ON c.id = r.case_id""",
        # HC-11e 最多跑一次: every ended one-stop application, its in-person visits and whether
        # they were at most one.
        "published_one_stop_visits": """
SELECT c.id AS case_id, c.station_code AS station_code, c.accepted_on AS accepted_on,
       COUNT(v.id) AS visits, CASE WHEN COUNT(v.id) <= 1 THEN 1 ELSE 0 END AS at_most_once
FROM cases c LEFT JOIN visits v ON v.case_id = c.id
WHERE c.receipt_no IS NOT NULL AND c.status IN ('approved', 'rejected')
GROUP BY c.id, c.station_code, c.accepted_on""",
    }


def upgrade() -> None:
    for name, query in views(op.get_bind().dialect.name).items():
        op.execute(f"CREATE VIEW {name} AS {query}")


def downgrade() -> None:
    for name in reversed(list(views(op.get_bind().dialect.name))):
        op.execute(f"DROP VIEW {name}")
