"""User interfaces: the command line, the Gradio web chat and their shared rendering."""
