"""Pure-Python engines of Pactline: no Django, no other ``pactline`` package.

The agreement schema lives in :mod:`pactline.core.agreement`.
"""
