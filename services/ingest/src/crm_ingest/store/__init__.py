"""The vector store: Qdrant Edge in-process (the default) or a Qdrant server through
qdrant-client, behind one interface (`store.base.VectorStore`)."""
