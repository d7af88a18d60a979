"""Choice lists shared by organisations, needs and capabilities."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    PLATFORM = "platform", _("Platform company")
    SME = "sme", _("Small or medium-sized enterprise")


# The two sides of the marketplace as plain strings (who acts on an
# application, a message or a proposal): the organisation kinds' values.
SME, PLATFORM = OrganizationKind.SME.value, OrganizationKind.PLATFORM.value


class SizeBand(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    MEMBER = "member", _("Member")


class Industry(models.TextChoices):
    """The 20 sections of China's industrial classification, GB/T 4754-2017."""

    AGRICULTURE = "agriculture", _("Agriculture, forestry, animal husbandry and fishery")
    MINING = "mining", _("Mining")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    UTILITIES = "utilities", _("Electricity, heat, gas and water supply")
    CONSTRUCTION = "construction", _("Construction")
    TRADE = "trade", _("Wholesale and retail trade")
    LOGISTICS = "logistics", _("Transport, storage and postal services")
    HOSPITALITY = "hospitality", _("Accommodation and catering")
    INFORMATION_TECHNOLOGY = "information_technology", _("Information transmission, software and IT services")
    FINANCE = "finance", _("Finance")
    REAL_ESTATE = "real_estate", _("Real estate")
    BUSINESS_SERVICES = "business_services", _("Leasing and business services")
    RESEARCH = "research", _("Scientific research and technical services")
    ENVIRONMENT = "environment", _("Water conservancy, environment and public facilities")
    RESIDENT_SERVICES = "resident_services", _("Resident services, repair and other services")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health and social work")
    CULTURE = "culture", _("Culture, sports and entertainment")
    PUBLIC_ADMINISTRATION = "public_administration", _("Public administration and social organisations")
    INTERNATIONAL = "international", _("International organisations")


class Province(models.TextChoices):
    """China's 34 provincial-level divisions: 23 provinces, 5 autonomous
    regions, 4 municipalities and 2 special administrative regions."""

    BEIJING = "beijing", _("Beijing")
    TIANJIN = "tianjin", _("Tianjin")
    HEBEI = "hebei", _("Hebei")
    SHANXI = "shanxi", _("Shanxi")
    INNER_MONGOLIA = "inner_mongolia", _("Inner Mongolia")
    LIAONING = "liaoning", _("Liaoning")
    JILIN = "jilin", _("Jilin")
    HEILONGJIANG = "heilongjiang", _("Heilongjiang")
    SHANGHAI = "shanghai", _("Shanghai")
    JIANGSU = "jiangsu", _("Jiangsu")
    ZHEJIANG = "zhejiang", _("Zhejiang")
    ANHUI = "anhui", _("Anhui")
    FUJIAN = "fujian", _("Fujian")
    JIANGXI = "jiangxi", _("Jiangxi")
    SHANDONG = "shandong", _("Shandong")
    HENAN = "henan", _("Henan")
    HUBEI = "hubei", _("Hubei")
    HUNAN = "hunan", _("Hunan")
    GUANGDONG = "guangdong", _("Guangdong")
    GUANGXI = "guangxi", _("Guangxi")
    HAINAN = "hainan", _("Hainan")
    CHONGQING = "chongqing", _("Chongqing")
    SICHUAN = "sichuan", _("Sichuan")
    GUIZHOU = "guizhou", _("Guizhou")
    YUNNAN = "yunnan", _("Yunnan")
    XIZANG = "xizang", _("Xizang (Tibet)")
    SHAANXI = "shaanxi", _("Shaanxi")
    GANSU = "gansu", _("Gansu")
    QINGHAI = "qinghai", _("Qinghai")
    NINGXIA = "ningxia", _("Ningxia")
    XINJIANG = "xinjiang", _("Xinjiang")
    TAIWAN = "taiwan", _("Taiwan")
    HONG_KONG = "hong_kong", _("Hong Kong")
    MACAO = "macao", _("Macao")


class SignInDoor(models.TextChoices):
    """Where a password (or a second-factor code) was checked."""

    SITE = "site", _("Sign-in page")
    ADMIN = "admin", _("Admin sign-in")
    API_TOKEN = "api_token", _("API token creation")
    PASSWORD_CHANGE = "password_change", _("Password change")
    TWO_FACTOR = "two_factor", _("Two-factor code")
