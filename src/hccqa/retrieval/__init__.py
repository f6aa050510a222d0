"""Retrieval: encoders, the FAISS index on disk, rank fusion and the retriever."""
