{#- Every row of the weekly `pendiente_desconsolidar.csv` with the reject rules of
    `pendiente_desconsolidar`; `Peso` and `Cantidad` parsed from text (unparseable ones rejected).
    Placeholder rows as in `int_traffic__arribos_export_validated`. -#}
with

export_rows as (

    select * from {{ ref('stg_traffic__pendiente_export') }}

),

final as (

    select
        *,
        container_key as business_key,
        case when not is_placeholder_row then {{ traffic_rejection_reasons(
            'pendiente_desconsolidar',
            cantidad=true,
            parsed=[('vto_vacio_text', 'vto_vacio'), ('peso_text', 'peso'), ('cantidad_text', 'cantidad')],
            duplicate_key='container_key') }} end as rejection_reasons

    from export_rows

)

select * from final
