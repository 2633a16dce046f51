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
        {% set days = dbt.datediff(inventory_today(), 'stock.expiration_date', 'day') -%}
        cast({{ days }} as integer) as days_to_expiration
    from stock
    inner join products
        on stock.product_id = products.product_id
    inner join warehouses
        on stock.warehouse_id = warehouses.warehouse_id

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
        end as expiration_status
    from dated

)

select * from final
