"""Distillation in e-commerce on a generated shop.

    world.py      the seeded shop: catalogue, shoppers, impressions, daily sales
    scenario.py   what every scenario returns (models scored over seeds, verdicts)
    ctr.py, demand.py, profile.py, images.py   the four scenarios
    ecommerce.py  the demo's run(): one scenario, teacher vs student alone vs distilled
"""
