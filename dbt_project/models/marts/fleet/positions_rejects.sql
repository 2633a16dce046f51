{#- Positions that cannot be placed in time (their `data_transmissao` is not a date-time in either
    format), kept with the raw text and the reason instead of being dropped. -#}
with

positions as (

    select * from {{ ref('stg_fleet__positions') }}

),

final as (

    select
        position_key,
        placa,
        data_transmissao_text,
        'unreadable data_transmissao' as reject_reason,
        cast(unparsed_fields as {{ dbt.type_bigint() }}) as unparsed_fields
    from positions
    where data_transmissao is null

)

select * from final
