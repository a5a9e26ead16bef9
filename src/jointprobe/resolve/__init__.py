"""Entity resolution (C3): instant selector hits, batch linkage, analyst judgements."""
