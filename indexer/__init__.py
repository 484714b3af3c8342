"""Raw newspaper pages -> articles -> Whoosh index."""
