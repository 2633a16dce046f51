{{ config(materialized='table') }}

with

current_stock as (

    select * from {{ ref('int_inventory__current_stock') }}

),

final as (

    select
        product_id,
        warehouse_id,
        cast(quantity as numeric(18, 3)) as quantity,
        lot_number,
        expiration_date,
        last_updated,
        'relbase_sync' as updated_by
    from current_stock

)

select * from final
