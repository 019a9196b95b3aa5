"""What the case page shows from the apps above `pactline.cases`: its calls (and the other
calls of its caller), its recordings and transcripts with the actions each role has, and its
email sources and attachments. Loaded into the case page as sections (htmx), since the cases
app cannot read the channels or privacy apps."""
