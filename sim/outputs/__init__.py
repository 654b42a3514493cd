"""What goes out: files and manifest, labels, charts, HTML reports, the workbook."""
