"""Use cases: plain Python + SQLAlchemy sessions. No Qt import."""
