"""The component register (部件普查, issue 17): the surveyed objects, their import and export,
the objects near a report, and the cases that name them. No Qt."""
