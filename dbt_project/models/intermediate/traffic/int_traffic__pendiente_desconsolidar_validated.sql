with

pendiente as (

    select * from {{ ref('stg_traffic__pendiente_desconsolidar') }}

),

final as (

    select
        *,
        {{ traffic_rejection_reasons(
            'pendiente_desconsolidar',
            cantidad=true,
            parsed=[('vto_vacio_text', 'vto_vacio')],
            duplicate_key='container_key') }} as rejection_reasons

    from pendiente

)

select * from final
