"""Every screen of the register by its SPEC §3 ``objectName``, in navigation order."""
from app.ui.screens.checkout import CheckoutScreen
from app.ui.screens.checkout_done import CheckoutDoneScreen
from app.ui.screens.login import LoginScreen
from app.ui.screens.open import OpenScreen
from app.ui.screens.payment_history import PaymentHistoryScreen
from app.ui.screens.payment_inquiry import PaymentInquiryScreen
from app.ui.screens.processing import ProcessingScreen, RefundProcessingScreen
from app.ui.screens.terminal_confirm import PaymentConfirmScreen, RefundConfirmScreen
from app.ui.screens.terminal_done import PaymentDoneScreen, RefundDoneScreen
from app.ui.screens.terminal_picker import TerminalPickerScreen
from app.ui.screens.settings import SettingsScreen
from app.ui.screens.slip_detail import SlipDetailScreen
from app.ui.screens.slip_list import SlipListScreen
from app.ui.screens.top import TopScreen

SCREENS = {
    "LoginScreen": LoginScreen,
    "OpenScreen": OpenScreen,
    "TopScreen": TopScreen,
    "CheckoutScreen": CheckoutScreen,
    "CheckoutDoneScreen": CheckoutDoneScreen,
    "TerminalPickerScreen": TerminalPickerScreen,
    "PaymentConfirmScreen": PaymentConfirmScreen,
    "ProcessingScreen": ProcessingScreen,
    "PaymentDoneScreen": PaymentDoneScreen,
    "RefundConfirmScreen": RefundConfirmScreen,
    "RefundProcessingScreen": RefundProcessingScreen,
    "RefundDoneScreen": RefundDoneScreen,
    "SlipListScreen": SlipListScreen,
    "SlipDetailScreen": SlipDetailScreen,
    "PaymentHistoryScreen": PaymentHistoryScreen,
    "PaymentInquiryScreen": PaymentInquiryScreen,
    "SettingsScreen": SettingsScreen,
}
