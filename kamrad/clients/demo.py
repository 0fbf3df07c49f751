"""The demo data set: an internet provider's clients, their people, and who knows whom.

Deterministic: one `random.Random(SEED)` draws everything and every date counts from
`DEMO_DAY`, so two loads give the same organizations, people and dates. Everything is written
through the services in `kamrad.clients.services`, so the audit history and the search index
are exactly what a user's own edits would leave.

It includes the story that started the VIP program: a city council whose key people all
changed after the elections, while nobody on our side knows the new ones.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TextIO

from django.db import transaction

from kamrad.clients import search, services
from kamrad.clients.models import (
    Contact,
    ContactPoint,
    DecisionRole,
    Event,
    Industry,
    Organization,
    Product,
    Region,
)
from kamrad.meetings import demo as meetings_demo
from kamrad.program import demo as program_demo
from kamrad.pyramid.services import pyramid_recompute
from kamrad.qualification.services import verdicts_store_all
from kamrad.users.models import Role, User
from kamrad.users.services import user_create
from kamrad.value import demo as value_demo

SEED = 20260913
# The demo's "today": every date in the set is counted from it, so the set never drifts.
DEMO_DAY = date(2026, 11, 1)
ELECTION_DAY = date(2026, 9, 13)


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str


LOGINS = (
    Login("head", "kamrad-head", Role.HEAD, "Елена", "Соколова"),
    Login("anna", "kamrad-anna", Role.MANAGER, "Анна", "Петрова"),
    Login("dmitry", "kamrad-dmitry", Role.MANAGER, "Дмитрий", "Орлов"),
    Login("viewer", "kamrad-viewer", Role.VIEWER, "Виктор", "Лебедев"),
    Login("admin", "kamrad-admin", Role.ADMIN, "Ольга", "Смирнова"),
)


# --- Russian registration numbers with valid check digits -------------------------------


def check_digit(digits: str, weights: Sequence[int]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def inn_company(rng: random.Random, prefix: str) -> str:
    """A 10-digit ИНН of a legal entity; `prefix` is the 4-digit tax office code."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(5))
    return body + check_digit(body, (2, 4, 10, 3, 5, 9, 4, 6, 8))


def inn_person(rng: random.Random, prefix: str) -> str:
    """A 12-digit ИНН of a private person or sole trader."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(6))
    body += check_digit(body, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    return body + check_digit(body, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))


def ogrn(rng: random.Random, year: int, region: str) -> str:
    """A 13-digit ОГРН: 1, year, region, serial, check digit."""
    body = f"1{year % 100:02d}{region}" + "".join(rng.choice("0123456789") for _ in range(7))
    return body + str(int(body) % 11 % 10)


def ogrnip(rng: random.Random, year: int, region: str) -> str:
    """A 15-digit ОГРНИП of a sole trader."""
    body = f"3{year % 100:02d}{region}" + "".join(rng.choice("0123456789") for _ in range(9))
    return body + str(int(body) % 13 % 10)


def settlement_account(rng: random.Random, bic: str) -> str:
    """A 20-digit settlement account (40702 RUB) whose control key fits the bank's БИК."""
    account = "40702810" + "0" + "".join(rng.choice("0123456789") for _ in range(11))
    weights = (7, 1, 3) * 8
    total = sum(int(d) * w for d, w in zip(bic[-3:] + account, weights[:23], strict=True))
    key = total * 3 % 10
    return account[:8] + str(key) + account[9:]


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        words("a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"),
        strict=True,
    )
)


@functools.lru_cache(maxsize=4096)
def translit(text: str) -> str:
    out = []
    for ch in text.lower():
        latin = _TRANSLIT.get(ch, ch)
        out.append("" if latin == "-" else latin)
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def slug(text: str) -> str:
    return "".join(ch for ch in translit(text) if ch.isascii() and ch.isalnum())


# --- Places, banks, people --------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    tax_offices: tuple[str, ...]
    phone_code: str
    postcodes: tuple[str, ...]
    streets: tuple[str, ...]


CITIES = (
    City(
        "Москва",
        ("7701", "7702", "7704", "7705", "7707", "7710", "7714", "7717", "7723", "7736"),
        "495",
        ("101000", "105064", "107031", "109012", "115093", "119019", "123001", "125009"),
        (
            "ул. Тверская",
            "Ленинградский пр-т",
            "ул. Большая Ордынка",
            "ул. Новый Арбат",
            "Профсоюзная ул.",
            "ул. Шаболовка",
            "Варшавское ш.",
            "ул. Бауманская",
        ),
    ),
    City(
        "Санкт-Петербург",
        ("7801", "7802", "7804", "7805", "7810", "7813", "7825"),
        "812",
        ("190000", "191025", "194044", "196084", "197022", "199034"),
        ("Невский пр-т", "Лиговский пр-т", "ул. Марата", "Московский пр-т", "Большой пр-т В.О."),
    ),
    City(
        "Казань",
        ("1655", "1656", "1657", "1658", "1659"),
        "843",
        ("420012", "420021", "420061", "420107", "420111"),
        ("ул. Баумана", "ул. Пушкина", "пр-т Победы", "ул. Декабристов", "ул. Чистопольская"),
    ),
    City(
        "Екатеринбург",
        ("6658", "6659", "6661", "6670", "6671"),
        "343",
        ("620014", "620026", "620075", "620100"),
        ("ул. Малышева", "пр-т Ленина", "ул. 8 Марта", "ул. Радищева"),
    ),
    City(
        "Новосибирск",
        ("5401", "5402", "5403", "5405", "5406"),
        "383",
        ("630004", "630007", "630099", "630132"),
        ("Красный пр-т", "ул. Ленина", "ул. Кирова", "ул. Фрунзе"),
    ),
    City(
        "Нижний Новгород",
        ("5257", "5258", "5259", "5260", "5262"),
        "831",
        ("603000", "603005", "603022", "603105"),
        ("ул. Большая Покровская", "ул. Рождественская", "ул. Белинского", "Московское ш."),
    ),
    City(
        "Самара",
        ("6311", "6312", "6315", "6316", "6317"),
        "846",
        ("443010", "443020", "443041", "443099"),
        ("ул. Куйбышева", "Московское ш.", "ул. Молодогвардейская", "ул. Садовая"),
    ),
    City(
        "Краснодар",
        ("2308", "2309", "2310", "2312"),
        "861",
        ("350000", "350015", "350020", "350063"),
        ("ул. Красная", "ул. Северная", "ул. Ставропольская", "ул. Уральская"),
    ),
)
CITY_WEIGHTS = (40, 18, 12, 7, 6, 6, 6, 5)
TOWN = City("Приволжск", ("6382",), "84653", ("446100",), ("пл. Советская", "ул. Волжская"))


@dataclass(frozen=True)
class Bank:
    name: str
    bic: str
    correspondent: str
    city: str = ""


BANKS = (
    Bank("ПАО Сбербанк", "044525225", "30101810400000000225"),
    Bank("Банк ВТБ (ПАО)", "044525187", "30101810700000000187"),
    Bank("АО «Альфа-Банк»", "044525593", "30101810200000000593"),
    Bank("ПАО «Промсвязьбанк»", "044525555", "30101810400000000555"),
    Bank("АО «ТБанк»", "044525974", "30101810145250000974"),
    Bank("ПАО «Банк «Санкт-Петербург»", "044030790", "30101810900000000790", "Санкт-Петербург"),
    Bank("ПАО «АК БАРС» БАНК", "049205805", "30101810000000000805", "Казань"),
)

INDUSTRIES = (
    "Банки и финансы",
    "Розничная торговля",
    "Оптовая торговля",
    "Логистика и склады",
    "Строительство",
    "Производство",
    "Здравоохранение",
    "Образование",
    "Государственное управление",
    "ИТ и разработка",
    "Гостиницы и рестораны",
    "Медиа и реклама",
    "Недвижимость",
    "Юридические услуги",
    "Энергетика",
    "Телекоммуникации",
)

MALE_SURNAMES = words(
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов "
    "Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев "
    "Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв "
    "Сергеев Фролов Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов "
    "Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов "
    "Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов "
    "Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин "
    "Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков "
    "Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев "
    "Прохоров Наумов Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников "
    "Гончаров Емельянов Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов "
    "Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов Анисимов Ерёмин "
    "Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев "
    "Харитонов Князев Цветков Левин Митрофанов Воронов Аксёнов Софронов Мальцев Логинов "
    "Горшков Савин Краснов Майоров Демидов Елисеев Рыбаков Сафонов Плотников Демин Хохлов "
    "Фадеев Молчанов Игнатов Литвинов Ершов Ушаков Дементьев Рябов Мухин Калашников Леонтьев "
    "Лобанов Кузьмин Корнилов Евдокимов Бородин Платонов Некрасов Балашов Бобров Жданов "
    "Блинов Игнатьев Коротков Муравьёв Крюков Беляков Богомолов Дроздов Лавров Зуев Петухов "
    "Ларин Никулин Серов Терентьев Зотов Устинов Фокин Самойлов Константинов Сахаров "
    "Гарипов Хабибуллин Сафин Шарипов Галиев Зарипов Ахметов Валиев Хуснутдинов"
)
MALE_NAMES = words(
    "Александр Алексей Андрей Антон Артём Борис Вадим Валерий Виктор Владимир Владислав "
    "Геннадий Георгий Денис Дмитрий Евгений Иван Игорь Илья Кирилл Константин Максим "
    "Михаил Никита Николай Олег Павел Роман Руслан Сергей Станислав Тимур Юрий Ярослав "
    "Айдар Ринат Марат"
)
FEMALE_NAMES = words(
    "Алёна Алла Анастасия Анна Валентина Вера Виктория Галина Дарья Евгения Екатерина "
    "Елена Жанна Ирина Карина Ксения Лариса Любовь Людмила Марина Мария Надежда Наталья "
    "Нина Оксана Ольга Полина Светлана София Татьяна Юлия Яна Гульнара Лейсан Альбина"
)
PATRONYMIC_ROOTS = words(
    "Александров Алексеев Андреев Борисов Васильев Викторов Владимиров Геннадьев Дмитриев "
    "Евгеньев Иванов Игорев Константинов Михайлов Николаев Олегов Павлов Петров Романов "
    "Сергеев Юрьев Анатольев Валерьев Григорьев Леонидов Степанов Фёдоров Ринатов Маратов"
)

EN_FIRST = words(
    "James John Robert Michael David William Richard Thomas Daniel Paul Mark Peter Anna Emma "
    "Olivia Sophie Laura Julia Maria Eva Katrin Mikko Jukka Lars Erik Hans Klaus Gábor Péter "
    "Zsófia Eszter Jan Pieter Sanne"
)
EN_LAST = words(
    "Smith Johnson Brown Taylor Wilson Evans Walker Wright Green Hall Clarke Müller Schmidt "
    "Schneider Fischer Weber Becker Virtanen Korhonen Nieminen Lindqvist Andersson Nilsson "
    "Kovács Nagy Szabó Tóth Horváth de Vries Jansen Bakker Visser"
)

PERSONAL_NOTES = (
    "Увлекается рыбалкой, каждое лето уезжает на Волгу.",
    "Двое детей; дочь в этом году поступила в университет.",
    "Болеет за «Зенит», на выездные матчи ездит с сыном.",
    "Кофе не пьёт, только зелёный чай — учесть на встречах.",
    "Коллекционирует виниловые пластинки, любит джаз.",
    "Бегает марафоны; готовится к Казанскому марафону.",
    "Рассказал, что компания открывает филиал в Казани в следующем году.",
    "Гордится тем, что компания выросла из гаража до трёх заводов.",
    "Окончил МГТУ им. Баумана, инженер по образованию — ценит технические детали.",
    "Говорит, что главное для них — чтобы касса и склад не вставали ни на минуту.",
    "Занимается горными лыжами, зимой — Шерегеш.",
    "Пишет стихи, издал небольшой сборник.",
    "Недавно стала бабушкой.",
    "Играет в теннис по субботам, звал составить пару.",
    "Собирает модели самолётов; отец был лётчиком.",
    "Ценит пунктуальность, опоздания не прощает.",
    "Просил присылать всё письменно, по телефону решений не принимает.",
    "Рассказала, что их онлайн-магазин вырос вдвое за год.",
    "Выращивает розы на даче под Тверью.",
    "Вегетарианец — на ужин выбирать рестораны с таким меню.",
)
RELATION_NOTES = (
    "Вместе учились в МИФИ.",
    "Познакомились на выставке «Связь».",
    "Играют в футбол в одной любительской команде.",
    "Знакомы через общего клиента.",
    "Помогли восстановить связь ночью перед сдачей отчётности — помнит это.",
    "Соседи по даче.",
    "Созваниваются раз в месяц, обсуждают развитие их сети.",
    "",
    "",
    "",
)

# Office positions: (position, department, decision roles).
DIRECTOR = ("Генеральный директор", "Дирекция")
FINANCE = (
    ("Финансовый директор", "Финансовая служба"),
    ("Главный бухгалтер", "Бухгалтерия"),
)
STAFF = (
    ("ИТ-директор", "ИТ-департамент", ("prepares", "influences")),
    ("Руководитель отдела ИТ", "ИТ-отдел", ("prepares",)),
    ("Системный администратор", "ИТ-отдел", ("uses",)),
    ("Инженер по связи", "ИТ-отдел", ("uses",)),
    ("Начальник отдела закупок", "Отдел закупок", ("prepares",)),
    ("Юрист", "Юридический отдел", ("influences",)),
    ("Помощник руководителя", "Дирекция", ("gatekeeper",)),
    ("Офис-менеджер", "Административный отдел", ("uses", "gatekeeper")),
    ("Коммерческий директор", "Коммерческая служба", ("influences",)),
    ("Заместитель генерального директора", "Дирекция", ("influences",)),
    ("Руководитель службы безопасности", "Служба безопасности", ("influences",)),
    ("Менеджер по работе с клиентами", "Отдел продаж", ("uses",)),
)
EN_STAFF = (
    ("IT Director", "IT", ("prepares", "influences")),
    ("Network Engineer", "IT", ("uses",)),
    ("Procurement Manager", "Procurement", ("prepares",)),
    ("Office Manager", "Administration", ("uses", "gatekeeper")),
    ("Legal Counsel", "Legal", ("influences",)),
    ("Executive Assistant", "Management", ("gatekeeper",)),
)

NAME_FIRST = words(
    "Север Юг Волга Урал Балт Сиб Нева Кама Центр Гранд Мега Эко Агро Техно Пром Энерго "
    "Транс Инвест Мед Фарм Торг Инфо Вест Ост Альфа Стандарт Регион Сити Нова Профи"
)
NAME_SECOND = words(
    "Строй Сервис Трейд Снаб Проект Ресурс Комплекс Альянс Групп Монтаж Маркет Лизинг "
    "Консалт Логистик Пласт Металл Продукт Систем Тех Гарант"
)
NAME_WORDS = words(
    "Ромашка Вектор Гранит Кристалл Меридиан Орион Парус Радуга Фаворит Эталон Янтарь "
    "Берёзка Сапсан Атлант Прогресс Восход Компас Сфера Аврора Каскад Пилот Полюс Диалог "
    "Колос Родник Садко Байкал Алтай Жемчуг Кедр Лотос Маяк Ладога Рубин Сокол Гелиос"
)
# Named institutions and shops: (name template, industry, kind of legal form).
INSTITUTIONS = (
    ("Городская клиническая больница № {n}", "Здравоохранение", "ГБУЗ"),
    ("Школа № {n}", "Образование", "ГБОУ"),
    ("Поликлиника № {n}", "Здравоохранение", "ГБУЗ"),
    ("Колледж связи № {n}", "Образование", "ГБПОУ"),
    ("Многофункциональный центр района № {n}", "Государственное управление", "ГБУ"),
)
SHOPS = (
    ("Гостиница «{w}»", "Гостиницы и рестораны"),
    ("Ресторан «{w}»", "Гостиницы и рестораны"),
    ("Клиника «{w}»", "Здравоохранение"),
    ("Типография «{w}»", "Медиа и реклама"),
    ("Бизнес-центр «{w}»", "Недвижимость"),
    ("Кондитерская фабрика «{w}»", "Производство"),
    ("Адвокатское бюро «{w}»", "Юридические услуги"),
    ("Торговый дом «{w}»", "Оптовая торговля"),
)
LEGAL_FORMS = {
    "ООО": "Общество с ограниченной ответственностью",
    "АО": "Акционерное общество",
    "ПАО": "Публичное акционерное общество",
    "ГБУЗ": "Государственное бюджетное учреждение здравоохранения",
    "ГБОУ": "Государственное бюджетное общеобразовательное учреждение",
    "ГБПОУ": "Государственное бюджетное профессиональное образовательное учреждение",
    "ГБУ": "Государственное бюджетное учреждение",
}
FOREIGN = (
    # (suffix, country city, VAT prefix, VAT digits, e-mail/web domain, phone prefix)
    ("Ltd", "London", "GB", 9, "co.uk", "+44 20"),
    ("GmbH", "Berlin", "DE", 9, "de", "+49 30"),
    ("Oy", "Helsinki", "FI", 8, "fi", "+358 9"),
    ("Kft.", "Budapest", "HU", 8, "hu", "+36 1"),
    ("AB", "Stockholm", "SE", 12, "se", "+46 8"),
    ("B.V.", "Amsterdam", "NL", 9, "nl", "+31 20"),
)
FOREIGN_FIRST = words(
    "Northwind Contoso Fabrikam Baltic Nordic Danube Aurora Polaris Blue Harbor Silverline "
    "Greenfield Lakeside Ironbridge Skyway Redwood"
)
FOREIGN_SECOND = words(
    "Logistics Trading Pharma Hotels Consulting Engineering Foods Media Software Freight"
)
FOREIGN_INDUSTRY = {
    "Logistics": "Логистика и склады",
    "Trading": "Оптовая торговля",
    "Pharma": "Здравоохранение",
    "Hotels": "Гостиницы и рестораны",
    "Consulting": "Юридические услуги",
    "Engineering": "Производство",
    "Foods": "Производство",
    "Media": "Медиа и реклама",
    "Software": "ИТ и разработка",
    "Freight": "Логистика и склады",
}

OUR_PRODUCTS = (
    ("Интернет «Офис 100»", "Доступ в интернет", "100 Мбит/с, симметричный канал, SLA 99,5 %."),
    ("Интернет «Бизнес 500»", "Доступ в интернет", "500 Мбит/с, SLA 99,7 %, резервный ввод."),
    ("Интернет «Корпорация 1G»", "Доступ в интернет", "1 Гбит/с, SLA 99,9 %, два ввода."),
    ("Выделенный канал 10G", "Каналы связи", "Выделенная оптика 10 Гбит/с между площадками."),
    ("VPN между офисами", "Каналы связи", "L2/L3 VPN, шифрование, единая сеть филиалов."),
    ("Виртуальный хостинг", "Хостинг", "Сайты и почта компании на наших серверах."),
    ("Аренда сервера", "Хостинг", "Выделенный сервер или место в стойке в нашем ЦОД."),
    ("IP-телефония", "Телефония", "Городские номера, многоканальные линии, запись звонков."),
    ("Виртуальная АТС", "Телефония", "Облачная АТС: очереди, IVR, интеграция с CRM."),
    ("Защита от DDoS", "Безопасность", "Фильтрация атак до 100 Гбит/с на нашей магистрали."),
    ("Wi-Fi для гостей", "Доступ в интернет", "Гостевая сеть с авторизацией по SMS."),
    ("Видеонаблюдение в облаке", "Безопасность", "Камеры и архив записи в нашем облаке."),
)
COMPETITORS = (
    ("Магистраль Телеком", "ПАО"),
    ("ГородНет", "ООО"),
    ("Северный провайдер", "АО"),
    ("ВолнаТелеком", "ООО"),
    ("СетьПлюс", "ООО"),
    ("ТрансЛинк", "АО"),
)
# (competitor index, name, product line, analogue of our product index or None, substitute)
COMPETITOR_PRODUCTS = (
    (0, "Бизнес-Интернет 1000", "Доступ в интернет", 2, None),
    (0, "Облачная АТС «Магистраль»", "Телефония", 8, None),
    (0, "Мобильный интернет 5G для бизнеса", "Мобильная связь", None, 0),
    (1, "Интернет для офиса 200", "Доступ в интернет", 0, None),
    (1, "ГородНет VPN", "Каналы связи", 4, None),
    (2, "Северный ЦОД: колокейшн", "Хостинг", 6, None),
    (3, "Волна SIP", "Телефония", 7, None),
    (3, "Корпоративная мобильная связь", "Мобильная связь", None, 7),
    (4, "Спутниковый интернет «Орбита»", "Доступ в интернет", None, 1),
    (5, "Анти-DDoS «Щит»", "Безопасность", 9, None),
)


KINDS = (
    Organization.Kind.CLIENT,
    Organization.Kind.PROSPECT,
    Organization.Kind.PARTNER,
    Organization.Kind.SUPPLIER,
    Organization.Kind.INTERMEDIARY,
)
KIND_WEIGHTS = (72, 14, 5, 5, 4)


# --- The loader -------------------------------------------------------------------------


@dataclass
class Summary:
    organizations: int = 0
    contacts: int = 0
    relationships: int = 0
    events: int = 0
    dossier_entries: int = 0
    products: int = 0
    logins: tuple[Login, ...] = LOGINS
    existing_users: list[str] = field(default_factory=list)


class _Loader:
    def __init__(self, rng: random.Random, stdout: TextIO | None) -> None:
        self.rng = rng
        self.stdout = stdout
        self.summary = Summary()
        self.users: dict[str, User] = {}
        self.industries: dict[str, Industry] = {}
        self.regions: dict[str, Region] = {}
        self.used_names: set[str] = set()
        self.used_phones: set[str] = set()
        self.competitors: list[Organization] = []
        self.our_products: list[Product] = []

    # small helpers

    def say(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text + "\n")

    @property
    def head(self) -> User:
        return self.users["head"]

    def days_ago(self, low: int, high: int) -> date:
        return DEMO_DAY - timedelta(days=self.rng.randint(low, high))

    def birthday(self) -> date:
        return date(self.rng.randint(1958, 1999), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def phone(self, code: str) -> str:
        while True:
            if code.startswith("+"):
                number = f"{code} {self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}"
            elif len(code) == 3:
                n = self.rng.randint(1000000, 9999999)
                number = f"+7 ({code}) {str(n)[:3]}-{str(n)[3:5]}-{str(n)[5:]}"
            else:  # a small town: five-digit code, five-digit number
                n = self.rng.randint(10000, 99999)
                number = f"+7 ({code}) {str(n)[:1]}-{str(n)[1:3]}-{str(n)[3:]}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def mobile(self) -> str:
        return self.phone(self.rng.choice(("903", "905", "909", "915", "916", "921", "926", "985")))

    def person_name(self) -> tuple[str, str, str, bool]:
        """(surname, first name, patronymic, is_female)."""
        rng = self.rng
        female = rng.random() < 0.45
        surname = rng.choice(MALE_SURNAMES)
        root = rng.choice(PATRONYMIC_ROOTS)
        if female:
            return surname + "а", rng.choice(FEMALE_NAMES), root + "на", True
        patronymic = root + "ич"
        return surname, rng.choice(MALE_NAMES), patronymic, False

    def address(self, city: City) -> str:
        rng = self.rng
        street = rng.choice(city.streets)
        office = f", офис {rng.randint(101, 950)}" if rng.random() < 0.7 else ""
        return (
            f"{rng.choice(city.postcodes)}, г. {city.name}, {street}, "
            f"д. {rng.randint(1, 120)}{office}"
        )

    def unique(self, name: str) -> bool:
        if name in self.used_names:
            return False
        self.used_names.add(name)
        return True

    # steps

    def users_and_references(self) -> None:
        for login in LOGINS:
            user = User.objects.filter(username=login.username).first()
            if user is None:
                user = user_create(
                    username=login.username,
                    role=login.role,
                    password=login.password,
                    first_name=login.first_name,
                    last_name=login.last_name,
                    email=f"{login.username}@kamrad.example",
                    # Demo passwords are meant to be guessable; production users are validated.
                    validate=False,
                )
            else:
                self.summary.existing_users.append(login.username)
            self.users[login.username] = user
        for name in INDUSTRIES:
            self.industries[name] = services.industry_ensure(user=self.head, name=name)
        for city in (*CITIES, TOWN):
            self.regions[city.name] = services.region_ensure(user=self.head, name=city.name)
        for _suffix, city_name, *_rest in FOREIGN:
            self.regions[city_name] = services.region_ensure(user=self.head, name=city_name)

    def assign(self, kind: str) -> tuple[User | None, User | None]:
        """(account manager, owner) for a new organization."""
        rng = self.rng
        managers = [self.users["anna"], self.users["dmitry"]]
        if kind in {Organization.Kind.CLIENT, Organization.Kind.PROSPECT}:
            roll = rng.random()
            manager = managers[0] if roll < 0.45 else managers[1] if roll < 0.9 else None
            owner_roll = rng.random()
            if owner_roll < 0.6:
                owner = manager
            elif owner_roll < 0.85:
                owner = rng.choice(managers)
            else:
                owner = None
            return manager, owner
        return None, None

    def organization(
        self,
        *,
        kind: str,
        name: str,
        legal_name: str,
        city: City,
        industry: str,
        is_private: bool = False,
        tax_number: str = "",
        registration_number: str = "",
        website: str = "",
        manager: User | None = None,
        owner: User | None = None,
        notes: str = "",
        foreign_address: str = "",
    ) -> Organization:
        address = foreign_address or self.address(city)
        postal = address if foreign_address or self.rng.random() < 0.8 else self.address(city)
        org = services.organization_create(
            user=self.head,
            data={
                "kind": kind,
                "is_private": is_private,
                "name": name,
                "legal_name": legal_name,
                "industry": self.industries[industry],
                "region": self.regions[city.name],
                "tax_number": tax_number,
                "registration_number": registration_number,
                "legal_address": address,
                "postal_address": postal,
                "website": website,
                "account_manager": manager,
                "owner": owner,
                "notes": notes,
            },
        )
        self.summary.organizations += 1
        return org

    def bank(self, org: Organization, city: City) -> None:
        rng = self.rng
        local = [b for b in BANKS if b.city == city.name]
        banks = [b for b in BANKS if not b.city] + local * 2
        for bank in rng.sample(banks, 2 if rng.random() < 0.2 else 1):
            services.bank_account_add(
                user=self.head,
                organization=org,
                data={
                    "bank_name": bank.name,
                    "bic": bank.bic,
                    "account_number": settlement_account(rng, bank.bic),
                    "correspondent_account": bank.correspondent,
                },
            )

    def contact(
        self,
        org: Organization,
        *,
        full_name: str,
        position: str,
        department: str,
        roles: Sequence[str],
        phones: Sequence[str],
        emails: Sequence[str],
        left_on: date | None = None,
        notes: str | None = None,
    ) -> Contact:
        rng = self.rng
        if notes is None:
            notes = rng.choice(PERSONAL_NOTES) if rng.random() < 0.5 else ""
        contact = services.contact_create(
            user=self.head,
            organization=org,
            data={
                "full_name": full_name,
                "position": position,
                "department": department,
                "birthday": self.birthday() if rng.random() < 0.85 else None,
                "personal_notes": notes,
                "status": Contact.Status.LEFT if left_on else Contact.Status.ACTIVE,
                "left_on": left_on,
            },
            roles=roles,
            phones=phones,
            emails=emails,
        )
        self.summary.contacts += 1
        return contact

    def russian_people(
        self, org: Organization, city: City, domain: str, count: int, director: str
    ) -> list[Contact]:
        """The people of a Russian organization: someone decides, someone signs, always."""
        rng = self.rng
        director_signs = count == 2 or rng.random() < 0.6
        plan: list[tuple[str, str, tuple[str, ...]]] = [
            (director, "Дирекция", ("decides", "signs") if director_signs else ("decides",))
        ]
        finance = rng.choice(FINANCE)
        plan.append(
            (
                *finance,
                ("approves_budget",) if director_signs else ("approves_budget", "signs"),
            )
        )
        for position, department, roles in rng.sample(STAFF, count - 2):
            plan.append((position, department, roles if rng.random() < 0.8 else ()))
        people = []
        for i, (position, department, roles) in enumerate(plan):
            surname, first, patronymic, _female = self.person_name()
            email = f"{translit(first)[0]}.{translit(surname)}@{domain}"
            phones = [self.phone(city.phone_code)]
            if rng.random() < 0.6:
                phones.append(self.mobile())
            # Someone who left keeps a place in the history; never the current decider/signer.
            left_on = self.days_ago(20, 700) if i >= 2 and rng.random() < 0.08 else None
            people.append(
                self.contact(
                    org,
                    full_name=f"{surname} {first} {patronymic}",
                    position=position,
                    department=department,
                    roles=roles,
                    phones=phones,
                    emails=[email] if rng.random() < 0.9 else [],
                    left_on=left_on,
                )
            )
        return people

    def org_points(self, org: Organization, city_code: str, domain: str) -> None:
        services.contact_point_add(
            user=self.head,
            organization=org,
            kind=ContactPoint.Kind.PHONE,
            value=self.phone(city_code),
            label="Приёмная",
        )
        services.contact_point_add(
            user=self.head,
            organization=org,
            kind=ContactPoint.Kind.EMAIL,
            value=f"info@{domain}",
            label="Общий ящик",
        )

    def relationships(self, org: Organization, people: list[Contact]) -> None:
        """Our staff's acquaintances: the account manager knows the key people, the head some."""
        rng = self.rng
        active = [p for p in people if p.status == Contact.Status.ACTIVE]
        known: list[tuple[User, Contact]] = []
        if org.account_manager is not None:
            known.append((org.account_manager, active[0]))
            for person in active[1:]:
                if rng.random() < 0.35:
                    known.append((org.account_manager, person))
        if rng.random() < 0.3:
            known.append((self.head, active[0]))
        if org.owner is not None and org.owner != org.account_manager and rng.random() < 0.5:
            known.append((org.owner, rng.choice(active)))
        seen = set()
        for staff, contact in known:
            if (staff.pk, contact.pk) in seen:
                continue
            seen.add((staff.pk, contact.pk))
            # A fifth of the acquaintances have gone cold: no real talk for half a year or more.
            stale = rng.random() < 0.2
            services.relationship_create(
                user=self.head,
                data={
                    "staff": staff,
                    "contact": contact,
                    "warmth": rng.randint(1, 3) if stale else rng.randint(2, 5),
                    "last_touch": self.days_ago(190, 600) if stale else self.days_ago(2, 120),
                    "note": rng.choice(RELATION_NOTES),
                },
            )
            self.summary.relationships += 1

    def events(self, org: Organization, people: list[Contact], founded: int, city: City) -> None:
        rng = self.rng
        if rng.random() < 0.5:
            self.event(
                org,
                kind=Event.Kind.ANNIVERSARY,
                title=f"День основания компании ({founded})",
                day=date(founded, rng.randint(1, 12), rng.randint(1, 28)),
                yearly=True,
            )
        decider = people[0]
        if decider.birthday and rng.random() < 0.6:
            self.event(
                org,
                kind=Event.Kind.BIRTHDAY,
                title=f"День рождения: {decider.full_name}",
                day=decider.birthday,
                yearly=True,
                contact=decider,
            )
        roll = rng.random()
        if roll < 0.08:
            self.event(
                org,
                kind=Event.Kind.NEW_DIRECTOR,
                title=f"Новый генеральный директор: {decider.full_name}",
                day=self.days_ago(30, 400),
                contact=decider,
                notes="Прежний директор ушёл на пенсию; новый пришёл из банковской сферы.",
            )
        elif roll < 0.16:
            self.event(
                org,
                kind=Event.Kind.MOVE,
                title="Переезд в новый офис",
                day=self.days_ago(-60, 300),
                notes=f"Новый адрес: {self.address(city)}. Нужен ввод связи в новом здании.",
            )
        elif roll < 0.21:
            partner = rng.choice(NAME_WORDS)
            self.event(
                org,
                kind=Event.Kind.MERGER,
                title=f"Слияние с компанией «{partner}»",
                day=self.days_ago(30, 500),
                notes="Объединяют ИТ-службы; сеть филиалов будет единой.",
            )
        elif roll < 0.25:
            self.event(
                org,
                kind=Event.Kind.REORGANISATION,
                title="Реорганизация: выделен ИТ-департамент",
                day=self.days_ago(30, 400),
            )

    def event(
        self,
        org: Organization,
        *,
        kind: str,
        title: str,
        day: date,
        yearly: bool = False,
        contact: Contact | None = None,
        notes: str = "",
    ) -> None:
        services.event_create(
            user=self.head,
            organization=org,
            data={
                "kind": kind,
                "title": title,
                "date": day,
                "recurs_yearly": yearly,
                "contact": contact,
                "notes": notes,
            },
        )
        self.summary.events += 1

    def dossier(self, **data: Any) -> None:
        services.dossier_add(user=self.head, data=data)
        self.summary.dossier_entries += 1

    # the organizations

    def russian_company(self, kind: str) -> tuple[Organization, list[Contact]]:
        rng = self.rng
        city = rng.choices(CITIES, CITY_WEIGHTS)[0]
        roll = rng.random()
        director = DIRECTOR[0]
        while True:
            if roll < 0.1:
                template, industry, form = rng.choice(INSTITUTIONS)
                name = template.format(n=rng.randint(2, 420))
                director = "Главный врач" if industry == "Здравоохранение" else "Директор"
                legal_name = f"{LEGAL_FORMS[form]} «{name}»"
            elif roll < 0.3:
                template, industry = rng.choice(SHOPS)
                name = template.format(w=rng.choice(NAME_WORDS))
                form = "ООО"
                legal_name = f"{LEGAL_FORMS[form]} «{name.split('«')[1].rstrip('»')}»"
            else:
                name = rng.choice(NAME_FIRST) + rng.choice(NAME_SECOND).lower()
                if rng.random() < 0.3:
                    name = rng.choice(NAME_WORDS)
                form = rng.choices(("ООО", "АО", "ПАО"), (70, 24, 6))[0]
                industry = rng.choice(INDUSTRIES)
                legal_name = f"{LEGAL_FORMS[form]} «{name}»"
            if self.unique(name):
                break
        office = rng.choice(city.tax_offices)
        founded = rng.randint(1993, 2022)
        domain = slug(name.split("«")[-1]) + rng.choice((".ru", ".ru", ".com"))
        manager, owner = self.assign(kind)
        org = self.organization(
            kind=kind,
            name=name,
            legal_name=legal_name,
            city=city,
            industry=industry,
            tax_number=inn_company(rng, office),
            registration_number=ogrn(rng, founded, office[:2]),
            website=f"https://www.{domain}" if rng.random() < 0.8 else "",
            manager=manager,
            owner=owner,
        )
        self.bank(org, city)
        self.org_points(org, city.phone_code, domain)
        count = rng.choices(range(2, 9), (14, 22, 22, 16, 12, 8, 6))[0]
        people = self.russian_people(org, city, domain, count, director)
        self.relationships(org, people)
        self.events(org, people, founded, city)
        return org, people

    def any_russian_company(self) -> Organization:
        return self.russian_company(self.rng.choices(KINDS, KIND_WEIGHTS)[0])[0]

    def private_person(self, kind: str) -> None:
        rng = self.rng
        city = rng.choices(CITIES, CITY_WEIGHTS)[0]
        surname, first, patronymic, _female = self.person_name()
        full_name = f"{surname} {first} {patronymic}"
        office = rng.choice(city.tax_offices)
        sole_trader = rng.random() < 0.6
        manager, owner = self.assign(kind)
        org = self.organization(
            kind=kind,
            is_private=True,
            name=full_name,
            legal_name=f"ИП {full_name}" if sole_trader else "",
            city=city,
            industry=rng.choice(("ИТ и разработка", "Юридические услуги", "Медиа и реклама")),
            tax_number=inn_person(rng, office),
            registration_number=ogrnip(rng, rng.randint(2005, 2023), office[:2])
            if sole_trader
            else "",
            manager=manager,
            owner=owner,
            notes="Частный клиент: загородный дом, домашний офис и мастерская.",
        )
        domain = "mail.ru"
        person = self.contact(
            org,
            full_name=full_name,
            position="Владелец" if sole_trader else "",
            department="",
            roles=("decides", "signs"),
            phones=[self.mobile()],
            emails=[f"{translit(first)}.{translit(surname)}@{domain}"],
        )
        s2, f2, p2, _ = self.person_name()
        helper = self.contact(
            org,
            full_name=f"{s2} {f2} {p2}",
            position="Личный помощник",
            department="",
            roles=("gatekeeper", "uses"),
            phones=[self.mobile()],
            emails=[],
        )
        self.relationships(org, [person, helper])

    def foreign_company(self, kind: str) -> None:
        rng = self.rng
        while True:
            suffix, city_name, vat, vat_digits, tld, phone = rng.choice(FOREIGN)
            first, second = rng.choice(FOREIGN_FIRST), rng.choice(FOREIGN_SECOND)
            name = f"{first} {second} {suffix}"
            if self.unique(name):
                break
        domain = f"{first.lower()}-{second.lower()}.{tld}"
        # Most have an office in Russia and pay us from it; the rest are billed abroad.
        russian_office = rng.random() < 0.6
        city = rng.choice(CITIES[:2]) if russian_office else None
        manager, owner = self.assign(kind)
        org = self.organization(
            kind=kind,
            name=name,
            legal_name=name if not russian_office else f"Представительство «{name}» в России",
            city=city or City(city_name, (), "", (), ()),
            industry=FOREIGN_INDUSTRY[second],
            tax_number=(
                "9909" + "".join(rng.choice("0123456789") for _ in range(6))
                if russian_office
                else vat + "".join(rng.choice("0123456789") for _ in range(vat_digits))
            ),
            website=f"https://www.{domain}",
            manager=manager,
            owner=owner,
            foreign_address="" if city else f"{rng.randint(1, 90)} Harbour Street, {city_name}",
        )
        org_phone = self.phone(city.phone_code if city else phone)
        services.contact_point_add(
            user=self.head,
            organization=org,
            kind=ContactPoint.Kind.PHONE,
            value=org_phone,
            label="Reception",
        )
        if russian_office:
            self.bank(org, city)  # type: ignore[arg-type]
        count = rng.randint(2, 5)
        people = []
        plan = [("Managing Director", "Management", ("decides", "signs"))]
        plan.append(("Finance Manager", "Finance", ("approves_budget",)))
        plan += rng.sample(EN_STAFF, count - 2)
        for position, department, roles in plan:
            given, family = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            code = city.phone_code if city else phone
            people.append(
                self.contact(
                    org,
                    full_name=f"{given} {family}",
                    position=position,
                    department=department,
                    roles=roles,
                    phones=[self.phone(code)],
                    emails=[f"{given.lower()}.{slug(family)}@{domain}"],
                    notes="",
                )
            )
        self.relationships(org, people)

    def competitors_and_products(self) -> None:
        rng = self.rng
        city = CITIES[0]
        for name, form in COMPETITORS:
            self.unique(name)
            office = rng.choice(city.tax_offices)
            founded = rng.randint(1995, 2012)
            domain = slug(name) + ".ru"
            org = self.organization(
                kind=Organization.Kind.COMPETITOR,
                name=name,
                legal_name=f"{LEGAL_FORMS[form]} «{name}»",
                city=city,
                industry="Телекоммуникации",
                tax_number=inn_company(rng, office),
                registration_number=ogrn(rng, founded, office[:2]),
                website=f"https://www.{domain}",
            )
            self.org_points(org, city.phone_code, domain)
            people = self.russian_people(org, city, domain, 3, DIRECTOR[0])
            self.competitors.append(org)
            leader = people[0]
            self.dossier(
                organization=org,
                contact=leader,
                date=self.days_ago(20, 200),
                title=f"{leader.full_name}: руководитель",
                text=(
                    "Пришёл из крупного оператора; лично ездит к ключевым клиентам, "
                    "дарит билеты на хоккей. Ставка — на знакомства с первыми лицами."
                ),
            )
            self.dossier(
                organization=org,
                date=self.days_ago(10, 300),
                title="Предложения и мощности",
                text=(
                    f"{name}: магистраль по городу, около {rng.randint(3, 40)} тыс. "
                    "корпоративных абонентов. Демпингует на новых подключениях: первые "
                    "три месяца бесплатно при контракте на два года."
                ),
            )
        for product_name, category, description in OUR_PRODUCTS:
            product = services.product_create(
                user=self.head,
                data={
                    "name": product_name,
                    "is_ours": True,
                    "category": category,
                    "description": description,
                },
            )
            self.our_products.append(product)
            self.summary.products += 1
        for maker, name, category, analogue, substitute in COMPETITOR_PRODUCTS:
            data: dict[str, Any] = {
                "name": name,
                "is_ours": False,
                "maker": self.competitors[maker],
                "category": category,
            }
            if analogue is not None:
                data["analogues"] = [self.our_products[analogue]]
            if substitute is not None:
                data["substitutes"] = [self.our_products[substitute]]
            product = services.product_create(user=self.head, data=data)
            self.summary.products += 1
            self.dossier(
                product=product,
                date=self.days_ago(5, 250),
                title=f"{name}: цена и условия",
                text=(
                    f"Продаёт {self.competitors[maker].name}. Цена на "
                    f"{rng.randint(5, 25)} % ниже нашей, но без SLA и без резервного ввода."
                ),
            )
        self.dossier(
            product=self.our_products[2],
            date=self.days_ago(5, 60),
            title="Почему берут «Корпорацию 1G»",
            text="Клиенты ценят два независимых ввода и инженера, который приезжает за 4 часа.",
        )

    def city_council(self) -> None:
        """The story behind the program: after the elections every key person changed."""
        rng = self.rng
        city = TOWN
        office = city.tax_offices[0]
        name = "Городская дума Приволжска"
        self.unique(name)
        dmitry = self.users["dmitry"]
        org = self.organization(
            kind=Organization.Kind.CLIENT,
            name=name,
            legal_name="Дума городского округа Приволжск",
            city=city,
            industry="Государственное управление",
            tax_number=inn_company(rng, office),
            registration_number=ogrn(rng, 2005, office[:2]),
            website="https://duma-privolzhsk.ru",
            manager=dmitry,
            owner=dmitry,
            notes=(
                "Наш клиент с 2012 года: интернет, VPN до администрации, IP-телефония. "
                "После выборов ключевые люди сменились полностью."
            ),
        )
        self.bank(org, CITIES[6])
        self.org_points(org, city.phone_code, "duma-privolzhsk.ru")
        domain = "duma-privolzhsk.ru"
        departed = (
            ("Председатель городской думы", "Руководство", ("decides",), 5),
            ("Руководитель аппарата думы", "Аппарат думы", ("signs",), 4),
            ("Начальник отдела информатизации", "Аппарат думы", ("prepares",), 5),
            ("Главный бухгалтер", "Бухгалтерия", ("approves_budget",), 3),
        )
        for i, (position, department, roles, warmth) in enumerate(departed):
            surname, first, patronymic, female = self.person_name()
            old = self.contact(
                org,
                full_name=f"{surname} {first} {patronymic}",
                position=position,
                department=department,
                roles=roles,
                phones=[self.phone(city.phone_code)],
                emails=[f"{translit(first)[0]}.{translit(surname)}@{domain}"],
                left_on=ELECTION_DAY + timedelta(days=14 + 7 * i),
                notes=(
                    "Знаем её двенадцать лет; ушла после выборов."
                    if female
                    else "Знаем его двенадцать лет; ушёл после выборов."
                ),
            )
            services.relationship_create(
                user=self.head,
                data={
                    "staff": dmitry if i != 0 else self.head,
                    "contact": old,
                    "warmth": warmth,
                    "last_touch": ELECTION_DAY - timedelta(days=20 + 9 * i),
                    "note": "Старые добрые отношения — но человек больше там не работает.",
                },
            )
            self.summary.relationships += 1
        new_people = []
        for position, department, roles, _warmth in departed:
            surname, first, patronymic, _ = self.person_name()
            new_people.append(
                self.contact(
                    org,
                    full_name=f"{surname} {first} {patronymic}",
                    position=position,
                    department=department,
                    roles=roles,
                    phones=[self.phone(city.phone_code)],
                    emails=[f"{translit(first)[0]}.{translit(surname)}@{domain}"],
                    notes="",
                )
            )
        # The only "relationship" with the new people: a dispute about a late invoice.
        services.relationship_create(
            user=self.head,
            data={
                "staff": dmitry,
                "contact": new_people[3],
                "warmth": 1,
                "last_touch": ELECTION_DAY + timedelta(days=40),
                "note": "Единственный разговор — о просроченном счёте и перерыве связи.",
            },
        )
        self.summary.relationships += 1
        self.event(
            org,
            kind=Event.Kind.NEW_DIRECTOR,
            title="Выборы: сменился весь состав думы и аппарата",
            day=ELECTION_DAY,
            notes="Новые председатель, руководитель аппарата, ИТ и бухгалтерия. Нас не знают.",
        )
        self.event(
            org,
            kind=Event.Kind.NEW_DIRECTOR,
            title=f"Новый председатель думы: {new_people[0].full_name}",
            day=ELECTION_DAY + timedelta(days=16),
            contact=new_people[0],
        )
        self.event(
            org,
            kind=Event.Kind.ANNIVERSARY,
            title="День города Приволжска",
            day=date(1781, 8, 20),
            yearly=True,
        )
        self.dossier(
            organization=org,
            date=ELECTION_DAY + timedelta(days=45),
            title="Риск потери клиента",
            text=(
                "После выборов все ключевые люди сменились, с новыми никто из нас не знаком. "
                "Общение свелось к спорам о просроченных счетах и жалобам на перерывы связи. "
                "Нужна встреча с новым председателем по программе VIP."
            ),
        )
        if self.competitors:
            self.dossier(
                organization=self.competitors[0],
                date=ELECTION_DAY + timedelta(days=50),
                title="Обхаживают думу Приволжска",
                text=(
                    "Руководитель «Магистраль Телеком» пригласил нового председателя думы "
                    "на отраслевой форум; по слухам, готовят предложение о переходе."
                ),
            )

    def client_dossiers(self, orgs: list[Organization]) -> None:
        rng = self.rng
        texts = (
            ("Планы развития", "Открывают {n} новых филиала в течение года; всем нужна связь."),
            ("Смена поставщика ИТ", "Ищут интегратора; ИТ-бюджет вырос на {n} %."),
            ("Крупные клиенты", "Работают с крупными сетями; нагрузка на канал в сезон ×{n}."),
            ("Претензии", "Было {n} обращения о падении скорости за квартал; закрыты."),
        )
        for org in orgs:
            if rng.random() < 0.25:
                title, text = rng.choice(texts)
                self.dossier(
                    organization=org,
                    date=self.days_ago(3, 500),
                    title=title,
                    text=text.format(n=rng.randint(2, 9)),
                )

    def run(self) -> Summary:
        rng = self.rng
        self.say("Users, industries and regions…")
        self.users_and_references()
        self.say("Competitors and products…")
        self.competitors_and_products()
        self.say("The city council…")
        self.city_council()
        self.say("Organizations and their people…")
        clients: list[Organization] = []
        for _ in range(200):
            org = self.any_russian_company()
            if org.kind == Organization.Kind.CLIENT:
                clients.append(org)
        for _ in range(30):
            self.foreign_company(rng.choices(KINDS, KIND_WEIGHTS)[0])
        for _ in range(15):
            self.private_person(rng.choice((Organization.Kind.CLIENT, Organization.Kind.PROSPECT)))
        self.client_dossiers(clients)
        return self.summary


def load_demo(*, stdout: TextIO | None = None) -> Summary:
    """Load the demo set into an empty, migrated database (one transaction)."""
    started = time.monotonic()
    with transaction.atomic(), search.deferred():
        summary = _Loader(random.Random(SEED), stdout).run()
        value_demo.load(today=DEMO_DAY, stdout=stdout)
    # The pyramid of the demo's clients, so its page has something to show from the start.
    run = pyramid_recompute(user=None)
    # The stored VIP verdicts, so the candidates page has something to show from the start.
    evaluated = verdicts_store_all()
    if stdout is not None:
        stdout.write(f"Client pyramid: {run.total} clients ranked.\n")
        stdout.write(f"VIP qualification: {evaluated} clients evaluated.\n")
    # The VIP program, running since the elections: its staff, the confirmed split, the first
    # clients worked through (its private clients are the pyramid's most valuable ones).
    program_demo.load(today=DEMO_DAY, stdout=stdout)
    # Its first meetings recorded with what they yielded, and the next ones planned.
    meetings_demo.load(today=DEMO_DAY, stdout=stdout)
    if stdout is not None:
        stdout.write(
            f"Loaded {summary.organizations} organizations, {summary.contacts} contact persons, "
            f"{summary.relationships} acquaintances, {summary.events} events, "
            f"{summary.dossier_entries} dossier entries, {summary.products} products "
            f"in {time.monotonic() - started:.1f} s.\n"
        )
    return summary


def decision_roles_of(organization: Organization) -> set[str]:
    """The decision roles held by the organization's active people (for checks and tests)."""
    return set(
        DecisionRole.objects.filter(
            contact__organization=organization, contact__status=Contact.Status.ACTIVE
        ).values_list("role", flat=True)
    )
