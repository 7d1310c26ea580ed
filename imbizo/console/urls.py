from django.urls import path

from . import (
    call,
    casemap,
    casepage,
    inbox,
    queue,
    revenue,
    revenue_campaigns,
    revenue_decisions,
    revenue_payments,
    signin,
    ward,
    work,
)

app_name = "console"

urlpatterns = [
    path("", queue.my_queue, name="my_queue"),
    path("login", signin.login_view, name="login"),
    path("enrol", signin.enrol_view, name="enrol"),
    path("verify", signin.verify_view, name="verify"),
    path("logout", signin.logout_view, name="logout"),
    path("cases", queue.all_cases, name="cases"),
    path("cases/assign", queue.bulk_assign, name="bulk_assign"),
    path("views", queue.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete", queue.saved_view_remove, name="saved_view_delete"),
    path("inbox", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>", inbox.conversation, name="conversation"),
    path("inbox/<int:pk>/lines", inbox.new_lines, name="handover_lines"),
    path("inbox/<int:pk>/take", inbox.take, name="handover_take"),
    path("inbox/<int:pk>/reply", inbox.reply, name="handover_reply"),
    path("inbox/<int:pk>/close", inbox.close, name="handover_close"),
    path("call", call.call, name="call"),
    path("work", work.work, name="work"),
    path("work/<int:pk>/<slug:step>", work.work_step, name="work_step"),
    path("ward", ward.ward, name="ward"),
    path("map", casemap.case_map, name="map"),
    path("map.json", casemap.case_map_data, name="map_data"),
    path("revenue", revenue.home, name="revenue"),
    path("revenue/accounts", revenue.accounts, name="revenue_accounts"),
    path("revenue/accounts/<uuid:key>", revenue.account, name="revenue_account"),
    path("revenue/arrangements", revenue_decisions.arrangement_list_page,
         name="revenue_arrangements"),
    path("revenue/arrangements/waiting", revenue_decisions.arrangements_waiting,
         name="revenue_waiting"),
    path("revenue/arrangements/<uuid:key>/decide", revenue_decisions.arrangement_decision,
         name="revenue_decide"),
    path("revenue/readings", revenue_decisions.readings, name="revenue_readings"),
    path("revenue/readings/<uuid:key>/review", revenue_decisions.reading_decision,
         name="revenue_review"),
    path("revenue/readings/<uuid:key>/photo", revenue.reading_photo,
         name="revenue_reading_photo"),
    path("revenue/payments", revenue_payments.payment_list, name="revenue_payments"),
    path("revenue/policy", revenue_payments.policy, name="revenue_policy"),
    path("revenue/campaigns", revenue_campaigns.campaigns, name="revenue_campaigns"),
    path("revenue/campaigns/new", revenue_campaigns.campaign_new, name="revenue_campaign_new"),
    path("revenue/campaigns/<int:pk>", revenue_campaigns.campaign, name="revenue_campaign"),
    path("cases/<str:reference>", casepage.case_page, name="case"),
    path("cases/<str:reference>/merge", casepage.merge, name="merge"),
    path("cases/<str:reference>/<slug:action>", casepage.case_action, name="case_action"),
]

# Community: councillors' matters, news and broadcasts, meetings and the directory.
from . import community_urls, matters_urls, news_urls  # noqa: E402

urlpatterns += matters_urls.urlpatterns + news_urls.urlpatterns + community_urls.urlpatterns
