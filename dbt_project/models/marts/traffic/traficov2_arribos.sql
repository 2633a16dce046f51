{#- The resolved arribos (source with dispatchers' edits), plus the fields only the weekly export
    `arribos_semana.csv` carries (`arribado`, `TLAT`, `Peso`, `Peligrosa`) where its valid row has
    the same container; null where the export has no such row. -#}
with

resolved as (

    select * from {{ ref('int_traffic__arribos_resolved') }}

),

export_rows as (

    select * from {{ ref('int_traffic__arribos_export_validated') }}

),

export_fields as (

    select
        business_key,
        arribado,
        tlat,
        peso,
        peligrosa

    from export_rows
    where rejection_reasons is null and not is_placeholder_row

),

final as (

    select
        {{- traffic_legacy_select('traficov2_arribos') }}
        cast(resolved.fecha_registro as timestamp) as fecha_registro,
        cast(resolved.fecha_modificacion as timestamp) as fecha_modificacion,
        cast(export_fields.arribado as integer) as arribado,
        export_fields.tlat as {{ adapter.quote('TLAT') }},
        cast(export_fields.peso as decimal(18, 3)) as {{ adapter.quote('Peso') }},
        export_fields.peligrosa as {{ adapter.quote('Peligrosa') }}

    from resolved
    left join export_fields on resolved.business_key = export_fields.business_key

)

select * from final
