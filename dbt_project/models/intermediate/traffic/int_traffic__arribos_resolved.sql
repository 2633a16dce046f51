{{ traffic_apply_manual_edits('snap_traffic__arribos', 'traficov2_arribos') }}
