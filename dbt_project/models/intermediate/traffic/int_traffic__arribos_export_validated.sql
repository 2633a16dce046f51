{#- Every row of the weekly `arribos_semana.csv` with the reject rules of `arribos`
    (`traffic_rejection_reasons`), plus the export-only `arribado` and `Peso` parsed. A row that is a
    placeholder in every column (an empty export, or `-` rows between data rows) is no data: it
    keeps `is_placeholder_row` and no reasons. -#}
with

export_rows as (

    select * from {{ ref('stg_traffic__arribos_export') }}

),

final as (

    select
        *,
        container_key as business_key,
        case when not is_placeholder_row then {{ traffic_rejection_reasons(
            'arribos',
            booking=true,
            parsed=[('fecha_text', 'fecha'), ('turno_text', 'turno'), ('arribado_text', 'arribado'),
                ('peso_text', 'peso')],
            duplicate_key='container_key') }} end as rejection_reasons

    from export_rows

)

select * from final
