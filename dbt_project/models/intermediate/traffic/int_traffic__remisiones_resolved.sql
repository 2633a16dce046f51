{{ traffic_apply_manual_edits('snap_traffic__remisiones', 'traficov2_remisiones') }}
