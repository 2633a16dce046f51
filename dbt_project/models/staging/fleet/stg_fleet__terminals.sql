with

source as (

    select * from {{ latest_version(source('fleet', 'terminals'), ['placa']) }}

),

ranked as (

    select
        upper(trim(placa)) as placa,
        descricao,
        frota,
        _dlt_load_id,
        row_number() over (
            partition by upper(trim(placa))
            order by _dlt_load_id desc
        ) as recency
    from source

),

final as (

    select
        placa,
        descricao,
        frota,
        _dlt_load_id
    from ranked
    where recency = 1

)

select * from final
