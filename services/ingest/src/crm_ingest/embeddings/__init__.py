"""Embedding models behind one interface (`embed_documents`, `embed_query`), and BM25."""
