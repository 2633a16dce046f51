{#- Every position with a readable time, deduplicated (plate + time + coordinates), typed, with its
    quality flag: ok, missing_coordinates, zero_coordinates, impossible_coordinates or implied_speed.
    Positions whose time cannot be read are in `positions_rejects`. -#}
with

route_points as (

    select * from {{ ref('int_fleet__route_points') }}

),

final as (

    select
        position_key,
        placa,
        descricao,
        frota,
        equipamento_serial,
        data_transmissao,
        data_gravacao,
        rota_date,
        latitude,
        longitude,
        logradouro,
        velocidade,
        ignicao,
        odometro,
        odometro_can,
        horimetro,
        bateria,
        quality_flag,
        is_valid,
        cast(unparsed_fields as {{ dbt.type_bigint() }}) as unparsed_fields
    from route_points

)

select * from final
