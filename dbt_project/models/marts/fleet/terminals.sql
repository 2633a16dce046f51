{#- One row per vehicle (plate) as the tracker last described it. -#}
with

terminals as (

    select * from {{ ref('stg_fleet__terminals') }}

),

final as (

    select
        placa,
        descricao,
        frota
    from terminals

)

select * from final
