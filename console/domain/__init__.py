"""Pure domain rules: lifecycle, working time, grid index, deadline policy. No DB, no Qt."""
