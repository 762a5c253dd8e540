"""Privacy (GDPR articles 15, 17 and 20): a person downloads everything kept about them,
or deletes their account; an admin exports or erases a person or a contact on request.

`export` gathers the data, `erasure` removes a person (and `sweep` every mention of them
elsewhere), `operations` holds the rules (who may, re-authentication), `views` the pages.
"""
