{#- Every row of the weekly `remisiones_semana.csv` with the reject rules of `remisiones` and its
    `business_key` (`<container key>|<Operacion>`). Placeholder rows as in
    `int_traffic__arribos_export_validated`. -#}
with

export_rows as (

    select * from {{ ref('stg_traffic__remisiones_export') }}

),

keyed as (

    select
        *,
        container_key || '|' || operacion as business_key

    from export_rows

),

final as (

    select
        *,
        case when not is_placeholder_row then {{ traffic_rejection_reasons(
            'remisiones',
            booking=true,
            parsed=[('dia_text', 'dia'), ('hora_text', 'hora')],
            duplicate_key='business_key') }} end as rejection_reasons

    from keyed

)

select * from final
