"""Community Health Workbook: raw channel exports in, honest community health reports out."""

__version__ = "0.1.0"
