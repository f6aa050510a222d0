"""Understanding a question: its words, the corpus lexicon, follow-ups and row filters."""
