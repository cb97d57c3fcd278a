"""wsis-kg: documents of the WSIS+20 review as a linked-data knowledge graph."""

__version__ = "0.1.0"
