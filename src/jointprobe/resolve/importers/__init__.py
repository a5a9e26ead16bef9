"""Importers that turn outside files into FtM entities or linkage records."""
