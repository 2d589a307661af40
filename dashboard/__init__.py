"""Talent Incentive Atlas: where in China a young STEM graduate should go, and what each city gives."""
