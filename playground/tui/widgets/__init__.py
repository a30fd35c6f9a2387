"""The play screen's widgets. Busy views (cluster grid, diagram, event log) use the Line API
with cached strips; the rest are small text panels."""
