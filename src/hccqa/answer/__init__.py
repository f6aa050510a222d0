"""Answering: evidence, the refusal judge, table rows and the composed answer."""
