"""Cases: the service (service.CaseService, one method per transition), their records (dto),
the detail a seat shows (detail), numbers, photos, the text search index (search) and exports.

Kept free of imports: a module that needs only the numbers or the records does not load the
whole service (and the service's own imports reach back here).
"""
