with

source as (

    select * from {{ latest_version(source('fleet', 'positions'), ['position_key']) }}

),

parsed as (

    select
        position_key,
        upper(trim(placa)) as placa,
        descricao,
        frota,
        equipamento_serial,
        logradouro,
        data_transmissao as data_transmissao_text,
        {{ fleet_parse_timestamp('data_transmissao', var('fleet_time_zone')) }} as data_transmissao,
        {{ fleet_parse_timestamp('data_gravacao', var('fleet_time_zone')) }} as data_gravacao,
        {{ fleet_parse_number('latitude') }} as latitude,
        {{ fleet_parse_number('longitude') }} as longitude,
        {{ fleet_parse_number('velocidade') }} as velocidade,
        case {{ fleet_parse_number('ignicao') }}
            when 1 then true
            when 0 then false
        end as ignicao,
        {{ fleet_parse_number('odometro') }} as odometro,
        {{ fleet_parse_number('odometro_can') }} as odometro_can,
        {{ fleet_parse_number('horimetro') }} as horimetro,
        {{ fleet_parse_number('bateria') }} as bateria,
        data_gravacao as data_gravacao_text,
        latitude as latitude_text,
        longitude as longitude_text,
        velocidade as velocidade_text,
        ignicao as ignicao_text,
        odometro as odometro_text,
        odometro_can as odometro_can_text,
        horimetro as horimetro_text,
        bateria as bateria_text,
        _dlt_load_id
    from source

),

final as (

    select
        position_key,
        placa,
        descricao,
        frota,
        equipamento_serial,
        logradouro,
        data_transmissao_text,
        data_transmissao,
        data_gravacao,
        latitude,
        longitude,
        velocidade,
        ignicao,
        odometro,
        odometro_can,
        horimetro,
        bateria,
        {{ fleet_unparsed('data_transmissao_text', 'data_transmissao') }}
        + {{ fleet_unparsed('data_gravacao_text', 'data_gravacao') }}
        + {{ fleet_unparsed('latitude_text', 'latitude') }}
        + {{ fleet_unparsed('longitude_text', 'longitude') }}
        + {{ fleet_unparsed('velocidade_text', 'velocidade') }}
        + {{ fleet_unparsed('ignicao_text', 'ignicao') }}
        + {{ fleet_unparsed('odometro_text', 'odometro') }}
        + {{ fleet_unparsed('odometro_can_text', 'odometro_can') }}
        + {{ fleet_unparsed('horimetro_text', 'horimetro') }}
        + {{ fleet_unparsed('bateria_text', 'bateria') }} as unparsed_fields,
        _dlt_load_id
    from parsed

)

select * from final
