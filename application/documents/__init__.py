"""Printed documents: PDFs of what the ledger states, and their verification."""
