"""Files in: legacy extracts (seed 001 附件1) read as CSV (UTF-8 or GB18030) or XLSX, decided
row by row with the person's own deciders, written in bulk through `eventlog.bulk`; refused
rows out, as an XLSX error report with the faulty cells in red."""
