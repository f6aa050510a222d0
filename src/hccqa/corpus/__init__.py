"""The corpus layer: raw documents to cleaned passages, tables, citations and glossary.

Pure functions of the files' text; :mod:`.loader` is the only module that reads files.
"""

from .loader import Corpus, load_corpus, load_folder

__all__ = ["Corpus", "load_corpus", "load_folder"]
