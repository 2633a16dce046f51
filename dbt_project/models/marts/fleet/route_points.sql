{#- The valid points of each plate-day in time order (`point_seq` from 1), for drawing a route. -#}
with

route_points as (

    select * from {{ ref('int_fleet__route_points') }}

),

final as (

    select
        {{ dbt.concat(['placa', "'|'", dbt.cast('rota_date', dbt.type_string()), "'|'",
            dbt.cast('point_seq', dbt.type_string())]) }} as route_point_id,
        placa,
        rota_date,
        cast(point_seq as {{ dbt.type_bigint() }}) as point_seq,
        data_transmissao,
        latitude,
        longitude,
        velocidade,
        ignicao,
        is_stopped,
        segment_km,
        logradouro
    from route_points
    where is_valid

)

select * from final
