-- The business database is POSTGRES_DB (govflow); Prefect's own is a second one.
CREATE DATABASE prefect;
