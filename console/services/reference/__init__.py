"""Reference data: the taxonomy, departments, routing, deadline rules and roles, read from
resources/ (files) and loaded into the database (data)."""
