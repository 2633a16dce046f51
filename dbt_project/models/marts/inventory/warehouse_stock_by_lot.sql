{#- Stock per lot of the active warehouses (as the legacy view: a disabled warehouse keeps its stock in
    `warehouse_stock`, not here), with its expiration status. `warehouse_id` is kept so that
    consumers join on it, never on the code or the name. -#}
with

stock as (

    select * from {{ ref('warehouse_stock') }}

),

products as (

    select * from {{ ref('products') }}

),

warehouses as (

    select * from {{ ref('warehouses') }}

),

dated as (

    select
        products.sku,
        products.name as product_name,
        warehouses.code as warehouse_code,
        warehouses.name as warehouse_name,
        stock.quantity,
        stock.lot_number,
        stock.expiration_date,
        stock.warehouse_id,
        {% set days = dbt.datediff(inventory_today(), 'stock.expiration_date', 'day') -%}
        cast({{ days }} as integer) as days_to_expiration
    from stock
    inner join products
        on stock.product_id = products.product_id
    inner join warehouses
        on stock.warehouse_id = warehouses.warehouse_id
    where warehouses.is_active

),

final as (

    select
        sku,
        product_name,
        warehouse_code,
        warehouse_name,
        quantity,
        lot_number,
        expiration_date,
        days_to_expiration,
        case
            when expiration_date is null then 'No Date'
            when days_to_expiration < 0 then 'Expired'
            when days_to_expiration <= {{ var('inventory_expiring_soon_days', 30) }} then 'Expiring Soon'
            else 'Valid'
        end as expiration_status,
        warehouse_id
    from dated

)

select * from final
