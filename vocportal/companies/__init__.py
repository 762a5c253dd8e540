"""Companies: the organisations people belong to, found or created by name.

The lowest of the customer layers: feedback intake names a sender's company (and creates it
when new); `customers` above it manages companies and weighs their demand by segment.
"""
