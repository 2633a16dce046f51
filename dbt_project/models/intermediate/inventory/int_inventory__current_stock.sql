{#- Current stock per product, warehouse and lot, from the newest answers of the Relbase API.

    - A product counts when the current lake run (`int_inventory__current_lake_run`) lists it and
      its newest answered detail call was `ok`; a retired product (refused) drops out. A detail call
      that failed falls back to the product's previous answer instead of emptying its stock.
    - A warehouse counts for a product when that detail gives it stock > 0. Its lots are those of the
      newest answered `lotes_series` call for the pair: `ok` -> its lots with quantity > 0 (so lots
      gone from Relbase disappear in the same run, per warehouse); `not_found` (404) -> the product has
      no lot tracking there: one row with lot `NO_LOT_TRACKING` and the warehouse stock (read, like its
      `last_updated`, from the detail call). The download asks a pair's lots only when this warehouse
      does not hold them at the pair's current stock (`extract.inventory.lake.KnownLots`): the newest
      answer stands for the pair until its stock changes. -#}

with

products as (

    select * from {{ ref('stg_inventory__products') }}

),

product_requests as (

    select * from {{ ref('stg_inventory__product_requests') }}

),

product_stock as (

    select * from {{ ref('stg_inventory__product_stock') }}

),

lot_requests as (

    select * from {{ ref('stg_inventory__lot_requests') }}

),

lots as (

    select * from {{ ref('stg_inventory__lots') }}

),

current_lake_run as (

    select * from {{ ref('int_inventory__current_lake_run') }}

),

listed as (

    select distinct products.product_id
    from products
    inner join current_lake_run
        on products.lake_run_id = current_lake_run.lake_run_id

),

answered as (

    select
        product_id,
        lake_run_id,
        outcome,
        row_number() over (partition by product_id order by lake_run_id desc) as recency
    from product_requests
    where outcome <> 'failed'

),

synced_products as (

    select
        answered.product_id,
        answered.lake_run_id
    from answered
    inner join listed
        on answered.product_id = listed.product_id
    where answered.recency = 1 and answered.outcome = 'ok'

),

stocked_pairs as (

    select
        product_stock.product_id,
        product_stock.warehouse_id,
        product_stock.lake_run_id,
        product_stock.stock,
        product_stock.fetched_at as stock_fetched_at
    from product_stock
    inner join synced_products
        on
            product_stock.product_id = synced_products.product_id
            and product_stock.lake_run_id = synced_products.lake_run_id
    where product_stock.stock > 0

),

lot_answers as (

    select
        stocked_pairs.product_id,
        stocked_pairs.warehouse_id,
        stocked_pairs.stock,
        stocked_pairs.stock_fetched_at,
        lot_requests.lake_run_id,
        lot_requests.outcome,
        lot_requests.fetched_at,
        row_number() over (
            partition by stocked_pairs.product_id, stocked_pairs.warehouse_id
            order by lot_requests.lake_run_id desc
        ) as recency
    from stocked_pairs
    inner join lot_requests
        on
            stocked_pairs.product_id = lot_requests.product_id
            and stocked_pairs.warehouse_id = lot_requests.warehouse_id
            and stocked_pairs.lake_run_id >= lot_requests.lake_run_id
    where lot_requests.outcome in ('ok', 'not_found')

),

current_answers as (

    select * from lot_answers
    where recency = 1

),

lot_rows as (

    select
        current_answers.product_id,
        current_answers.warehouse_id,
        lots.lot_number,
        lots.quantity,
        lots.expiration_date,
        lots.fetched_at
    from current_answers
    inner join lots
        on
            current_answers.product_id = lots.product_id
            and current_answers.warehouse_id = lots.warehouse_id
            and current_answers.lake_run_id = lots.lake_run_id
    where current_answers.outcome = 'ok' and lots.quantity > 0

),

untracked_rows as (

    select
        product_id,
        warehouse_id,
        'NO_LOT_TRACKING' as lot_number,
        stock as quantity,
        cast(null as date) as expiration_date,
        stock_fetched_at as fetched_at
    from current_answers
    where outcome = 'not_found'

),

unioned as (

    select * from lot_rows
    union all
    select * from untracked_rows

),

final as (

    select
        product_id,
        warehouse_id,
        lot_number,
        sum(quantity) as quantity,
        min(expiration_date) as expiration_date,
        max(fetched_at) as last_updated
    from unioned
    group by product_id, warehouse_id, lot_number

)

select * from final
