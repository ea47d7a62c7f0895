"""Provisioning by the platform (admin tokens): merchants, stores, users, tokens; and /me."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime

from helpline.account_management import support
from helpline.accounts import access
from helpline.accounts import selectors as people
from helpline.accounts import services as accounts
from helpline.accounts.models import User
from helpline.api.auth import AUTH, user_of
from helpline.api.schemas import Id, In, errors
from helpline.core import clock
from helpline.core.errors import Forbidden
from helpline.merchants import selectors as merchant_selectors
from helpline.merchants import services as merchants

router = Router(tags=["provisioning"], auth=AUTH)


def _admin(request: HttpRequest) -> User:
    user = user_of(request)
    if not access.is_admin(user):
        raise Forbidden("only administrators provision merchants, stores, users and tokens")
    return user


class MerchantIn(In):
    name: str = Field(..., max_length=200)
    slug: str = Field(..., max_length=64)
    time_zone: str = Field("Asia/Kolkata", max_length=64)


class MerchantOut(Schema):
    id: int
    name: str
    slug: str
    time_zone: str


@router.post("/merchants", response={201: MerchantOut, **errors(403, 409)})
def create_merchant(request: HttpRequest, payload: MerchantIn) -> Status[Any]:
    _admin(request)
    return Status(
        201,
        merchants.merchant_create(
            name=payload.name, slug=payload.slug, time_zone=payload.time_zone
        ),
    )


class StoreIn(In):
    merchant: str = Field(..., description="The merchant's slug", max_length=64)
    name: str = Field(..., max_length=200)
    url: str = Field(..., max_length=500)
    account_manager: Id | None = Field(None, description="User id of an account manager")


class StoreOut(Schema):
    id: int
    merchant: str
    name: str
    url: str
    account_manager: int | None

    @staticmethod
    def resolve_merchant(obj: Any) -> str:
        return str(obj.merchant.slug)

    @staticmethod
    def resolve_account_manager(obj: Any) -> int | None:
        return obj.account_manager_id


@router.post("/stores", response={201: StoreOut, **errors(403, 404, 409)})
def create_store(request: HttpRequest, payload: StoreIn) -> Status[Any]:
    user = _admin(request)
    merchant = merchant_selectors.merchant_by_slug(payload.merchant)
    return Status(
        201,
        support.store_open(
            actor=user,
            merchant=merchant,
            name=payload.name,
            url=payload.url,
            account_manager_id=payload.account_manager,
            now=clock.now(),
        ),
    )


@router.get("/stores", response={200: list[StoreOut], **errors()})
def list_stores(request: HttpRequest) -> Any:
    return list(merchant_selectors.visible_stores(user_of(request)).order_by("pk")[:500])


class UserIn(In):
    email: str = Field(..., max_length=254)
    role: str
    merchant: str | None = Field(None, description="The merchant's slug (merchant users)")
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    password: str | None = Field(None, max_length=200)


class UserOut(Schema):
    id: int
    email: str
    role: str
    merchant: str | None
    name: str

    @staticmethod
    def resolve_merchant(obj: Any) -> str | None:
        return obj.merchant.slug if obj.merchant_id else None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


@router.post("/users", response={201: UserOut, **errors(403, 404, 409)})
def create_user(request: HttpRequest, payload: UserIn) -> Status[Any]:
    _admin(request)
    merchant = merchant_selectors.merchant_by_slug(payload.merchant) if payload.merchant else None
    return Status(
        201,
        accounts.user_create(
            email=payload.email,
            role=payload.role,
            merchant_id=merchant.pk if merchant else None,
            password=payload.password,
            first_name=payload.first_name,
            last_name=payload.last_name,
        ),
    )


@router.get("/me", response={200: UserOut, **errors()})
def me(request: HttpRequest) -> Any:
    return user_of(request)


class TokenIn(In):
    name: str = Field("", max_length=100)
    read_only: bool = Field(False, description="Reads only: any write with it answers 403")


class TokenOut(Schema):
    id: int
    token: str = Field(..., description="Shown once; only its SHA-256 digest is stored")
    prefix: str
    read_only: bool
    created_at: AwareDatetime


@router.post("/users/{user_id}/tokens", response={201: TokenOut, **errors(403, 404)})
def create_token(request: HttpRequest, user_id: int, payload: TokenIn | None = None) -> Status[Any]:
    _admin(request)
    user = people.user_by_id(user_id)
    token, raw = accounts.token_create(
        user=user,
        name=payload.name if payload else "",
        read_only=payload.read_only if payload else False,
    )
    return Status(
        201,
        {
            "id": token.pk,
            "token": raw,
            "prefix": token.prefix,
            "read_only": token.read_only,
            "created_at": token.created_at,
        },
    )


@router.delete("/tokens/{token_id}", response={204: None, **errors(404)})
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    token = people.token_for(actor=user_of(request), token_id=token_id)
    accounts.token_revoke(token=token)
    return Status(204, None)
