"""Interop (C4): cases out as STIX 2.1 and FtM JSON lines, STIX bundles and MISP events in."""
